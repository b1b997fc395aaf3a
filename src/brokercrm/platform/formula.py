"""The safe formula language shared by segmentation rules, evaluation scoring and pay items (考核公式自定义).

Formulas look like spreadsheet/Python expressions — `if(net_commission > target, 0.2, 0.15) * net_commission`,
`max(0, round(net_commission - last_year.net_commission, 2))`, `status in ("frozen", "closed")` — and are
parsed with Python's `ast` into a whitelisted tree that this module interprets itself: nothing is ever
passed to eval/exec. Numbers are Decimal (literals taken from their source text, never via float).
A formula is checked when it is compiled — syntax, unknown names, unknown functions, argument counts
and types, its length, nesting and the size of its numbers — and each error names its position, so it can
be refused before it is saved. The same tree compiles to a SQL expression for vectorised evaluation over
millions of rows (DuckDB or PostgreSQL). Dividing by zero gives an empty value in both, like an empty input.
"""
import ast
import io
import tokenize
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Callable, Mapping

NUMBER, BOOL, TEXT, ANY = "number", "bool", "text", "any"
# Bounds that keep every checked formula within Python's stack and within DECIMAL(38, 10) in SQL.
MAX_LENGTH = 2000
MAX_DEPTH = 100
MAX_PLACES = 10
MAX_INTEGER_DIGITS = 18


class FormulaError(Exception):
    """A formula that cannot be compiled or evaluated; column is 1-based within the formula's line."""

    def __init__(self, message: str, *, line: int = 1, column: int = 1):
        super().__init__(f"line {line}, column {column}: {message}")
        self.message, self.line, self.column = message, line, column


@dataclass(frozen=True)
class Function:
    name: str
    min_args: int
    max_args: int
    result: str
    doc: str


FUNCTIONS = {
    f.name: f for f in [
        Function("if", 3, 3, ANY, "if(condition, then, else)"),
        Function("min", 1, 99, NUMBER, "the smallest of its arguments"),
        Function("max", 1, 99, NUMBER, "the largest of its arguments"),
        Function("round", 1, 2, NUMBER, "round(x, places=0), half-up (ties away from zero)"),
        Function("abs", 1, 1, NUMBER, "absolute value"),
        Function("coalesce", 2, 99, ANY, "the first argument that is not empty (e.g. last year's value with no history)"),
        Function("tier", 2, 2, NUMBER, "tier(value, \"table\"): the rate of the highest threshold ≤ value in a configured table"),
    ]
}
_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_CMPOPS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "=", ast.NotEq: "<>"}


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _error(node: ast.AST, message: str) -> FormulaError:
    return FormulaError(message, line=getattr(node, "lineno", 1), column=getattr(node, "col_offset", 0) + 1)


@dataclass(frozen=True)
class Formula:
    """A checked formula: evaluate it for one set of inputs, or compile it to SQL for many."""

    text: str
    tree: ast.Expression
    result_type: str
    names: frozenset[str]

    def evaluate(self, values: Mapping[str, Any], *, tiers: Mapping[str, list[tuple[Decimal, Decimal]]] | None = None) -> Any:
        """The value for these inputs; an empty input (None) makes arithmetic empty and comparisons false."""
        return _Evaluator(values, tiers or {}).visit(self.tree.body)

    def to_sql(self, column: Callable[[str], str], *, tiers: Mapping[str, list[tuple[Decimal, Decimal]]] | None = None) -> str:
        """A SQL expression with the same meaning; column(name) gives the SQL for each input."""
        return _SqlCompiler(column, tiers or {}).visit(self.tree.body)


def _spell_if_function(text: str) -> str:
    """`if(` where an operand may start is the function; Python reserves `if`, so spell it `IF(` (same length: positions hold)."""
    out, previous = list(text), None
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return text
    offsets = [0]
    for line in text.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    for token, following in zip(tokens, tokens[1:]):
        operand_before = previous is not None and (previous.type in (tokenize.NAME, tokenize.NUMBER, tokenize.STRING) and
                                                   previous.string not in _KEYWORDS_BEFORE_OPERAND or previous.string == ")")
        if token.type == tokenize.NAME and token.string == "if" and following.string == "(" and not operand_before:
            start = offsets[token.start[0] - 1] + token.start[1]
            out[start:start + 2] = "IF"
        if token.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.COMMENT):
            previous = token
    return "".join(out)


_KEYWORDS_BEFORE_OPERAND = {"and", "or", "not", "in", "else", "if"}


def compile_formula(text: str, names: Mapping[str, str], *, tier_tables: set[str] | frozenset[str] = frozenset()) -> Formula:
    """Parse and check a formula against the inputs it may use (name → number/bool/text)."""
    if not text or not text.strip():
        raise FormulaError("the formula is empty")
    if len(text.strip()) > MAX_LENGTH:
        raise FormulaError(f"the formula is too long ({len(text.strip())} characters, at most {MAX_LENGTH})", column=MAX_LENGTH + 1)
    try:
        tree = ast.parse(_spell_if_function(text.strip()), mode="eval")
    except SyntaxError as exc:
        if not exc.offset:  # Python reports no position when the formula stops in the middle
            raise FormulaError("syntax error: the formula is incomplete", column=len(text.strip()) + 1) from None
        raise FormulaError(f"syntax error: {exc.msg}", line=exc.lineno or 1, column=exc.offset) from None
    except (RecursionError, MemoryError):  # Python's parser gives up on deep nesting this way, without a position
        raise FormulaError(f"the formula is nested more than {MAX_DEPTH} levels deep") from None
    _check_depth(tree.body)
    checker = _Checker(text.strip(), names, tier_tables)
    result = checker.visit(tree.body)
    return Formula(text=text.strip(), tree=tree, result_type=result, names=frozenset(checker.used))


def _check_depth(root: ast.AST) -> None:
    """Refuse nesting deeper than MAX_DEPTH before any recursive visitor walks the tree (iteratively: no recursion here)."""
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _error(node, f"the formula is nested more than {MAX_DEPTH} levels deep")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _is_zero(node: ast.AST) -> bool:
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return isinstance(node, ast.Constant) and getattr(node, "decimal", None) == 0


class _Checker(ast.NodeVisitor):
    def __init__(self, source: str, names: Mapping[str, str], tier_tables):
        self.source, self.names, self.tier_tables, self.used = source, names, tier_tables, set()

    def generic_visit(self, node):
        raise _error(node, f"'{ast.get_source_segment(self.source, node) or type(node).__name__}' is not allowed in a formula")

    def visit_Constant(self, node):
        if isinstance(node.value, bool):
            return BOOL
        if isinstance(node.value, (int, float)):
            try:
                value = Decimal(ast.get_source_segment(self.source, node).replace("_", ""))
            except InvalidOperation:
                raise _error(node, "numbers are written in decimal digits (e.g. 0.15, 2e4)") from None
            if value != 0 and (value.adjusted() >= MAX_INTEGER_DIGITS or value.normalize().as_tuple().exponent < -MAX_PLACES):
                raise _error(node, f"a number has at most {MAX_INTEGER_DIGITS} digits before the decimal point "
                                   f"and {MAX_PLACES} after it")
            node.decimal = value
            return NUMBER
        if isinstance(node.value, str):
            return TEXT
        if node.value is None:
            return ANY
        raise _error(node, "unsupported constant")

    def _name(self, node):
        name = _dotted(node)
        if name is None:
            raise _error(node, "only names and dotted names (e.g. last_year.net_commission) may be used")
        if name not in self.names:
            known = ", ".join(sorted(self.names)[:30])
            raise _error(node, f"unknown name '{name}' (known: {known})")
        self.used.add(name)
        node.dotted = name
        return self.names[name]

    visit_Name = _name
    visit_Attribute = _name

    def _expect(self, node, actual: str, wanted: str, what: str):
        if actual not in (wanted, ANY):
            raise _error(node, f"{what} must be a {wanted}, not a {actual}")

    def visit_UnaryOp(self, node):
        operand = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            self._expect(node.operand, operand, BOOL, "the operand of 'not'")
            return BOOL
        if isinstance(node.op, (ast.USub, ast.UAdd)):
            self._expect(node.operand, operand, NUMBER, "a signed value")
            return NUMBER
        raise _error(node, "operator not allowed")

    def visit_BinOp(self, node):
        if type(node.op) not in _BINOPS:
            raise _error(node, "only + - * / are allowed")
        for side in (node.left, node.right):
            self._expect(side, self.visit(side), NUMBER, "an arithmetic operand")
        if isinstance(node.op, ast.Div) and _is_zero(node.right):
            raise _error(node.right, "division by zero: the divisor is 0")
        return NUMBER

    def visit_BoolOp(self, node):
        for value in node.values:
            self._expect(value, self.visit(value), BOOL, "an operand of and/or")
        return BOOL

    def visit_Compare(self, node):
        left = self.visit(node.left)
        for op, right_node in zip(node.ops, node.comparators):
            if isinstance(op, (ast.In, ast.NotIn)):
                if not isinstance(right_node, (ast.Tuple, ast.List)):
                    raise _error(right_node, "'in' needs a list of values, e.g. status in (\"frozen\", \"closed\")")
                for element in right_node.elts:
                    if not isinstance(element, ast.Constant):
                        raise _error(element, "the values after 'in' must be constants")
                    self.visit(element)
                continue
            if type(op) not in _CMPOPS:
                raise _error(node, "comparison not allowed")
            right = self.visit(right_node)
            if ANY not in (left, right) and left != right:
                raise _error(right_node, f"cannot compare a {left} with a {right}")
            left = right
        return BOOL

    def visit_IfExp(self, node):
        self._expect(node.test, self.visit(node.test), BOOL, "the condition")
        return self._same(node, [node.body, node.orelse])

    def _same(self, node, branches) -> str:
        types = {self.visit(b) for b in branches} - {ANY}
        if len(types) > 1:
            raise _error(node, f"the alternatives mix {' and '.join(sorted(types))}")
        return types.pop() if types else ANY

    def visit_Call(self, node):
        if isinstance(node.func, ast.Name) and node.func.id == "IF":
            node.func.id = "if"
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            name = _dotted(node.func) or ast.get_source_segment(self.source, node.func) or "?"
            raise _error(node, f"unknown function '{name}' (known: {', '.join(FUNCTIONS)})")
        if node.keywords:
            raise _error(node, "functions take positional arguments only")
        fn = FUNCTIONS[node.func.id]
        if not fn.min_args <= len(node.args) <= fn.max_args:
            raise _error(node, f"{fn.name}() takes {fn.doc}")
        if fn.name == "if":
            self._expect(node.args[0], self.visit(node.args[0]), BOOL, "the condition of if()")
            return self._same(node, node.args[1:])
        if fn.name == "coalesce":
            return self._same(node, node.args)
        if fn.name == "tier":
            self._expect(node.args[0], self.visit(node.args[0]), NUMBER, "the value of tier()")
            table = node.args[1]
            if not (isinstance(table, ast.Constant) and isinstance(table.value, str)):
                raise _error(table, "tier() takes the table's name in quotes")
            if table.value not in self.tier_tables:
                raise _error(table, f"unknown tier table '{table.value}' (known: {', '.join(sorted(self.tier_tables)) or 'none'})")
            return NUMBER
        if fn.name == "round" and len(node.args) == 2:
            places = node.args[1]
            if not (isinstance(places, ast.Constant) and isinstance(places.value, int) and not isinstance(places.value, bool)):
                raise _error(places, "round() takes a whole number of places")
            if places.value > MAX_PLACES:
                raise _error(places, f"round() keeps at most {MAX_PLACES} places, not {places.value}")
        for arg in node.args:
            self._expect(arg, self.visit(arg), NUMBER, f"an argument of {fn.name}()")
        return NUMBER


def _round(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _tier(value: Decimal, table: list[tuple[Decimal, Decimal]]) -> Decimal:
    rate = Decimal(0)
    for threshold, tier_rate in sorted(table):
        if value >= threshold:
            rate = tier_rate
    return rate


class _Evaluator(ast.NodeVisitor):
    def __init__(self, values, tiers):
        self.values, self.tiers = values, tiers

    def visit_Constant(self, node):
        return getattr(node, "decimal", node.value)

    def _name(self, node):
        value = self.values.get(node.dotted)
        if isinstance(value, float):
            raise TypeError(f"input {node.dotted} is a float; formulas take Decimal")
        return Decimal(value) if isinstance(value, int) and not isinstance(value, bool) else value

    visit_Name = _name
    visit_Attribute = _name

    def visit_UnaryOp(self, node):
        value = self.visit(node.operand)
        if value is None:
            return None
        if isinstance(node.op, ast.Not):
            return not value
        return -value if isinstance(node.op, ast.USub) else value

    def visit_BinOp(self, node):
        left, right = self.visit(node.left), self.visit(node.right)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Div) and right == 0:
            return None  # as SQL's x / NULLIF(y, 0): dividing by zero is empty, like an empty input
        try:
            if isinstance(node.op, ast.Add):
                result = left + right
            elif isinstance(node.op, ast.Sub):
                result = left - right
            elif isinstance(node.op, ast.Mult):
                result = left * right
            else:
                result = left / right
        except ArithmeticError:
            result = None
        # Past 10^18 a value could no longer be kept to 10 places within Decimal's 28 digits (nor DECIMAL(38, 10)).
        if result is None or (result != 0 and result.adjusted() >= MAX_INTEGER_DIGITS):
            raise _error(node, f"the result is too large (at least 10^{MAX_INTEGER_DIGITS})")
        return result

    def visit_BoolOp(self, node):
        results = [bool(self.visit(v)) for v in node.values]
        return all(results) if isinstance(node.op, ast.And) else any(results)

    def visit_Compare(self, node):
        left = self.visit(node.left)
        for op, right_node in zip(node.ops, node.comparators):
            if isinstance(op, (ast.In, ast.NotIn)):
                options = [self.visit(e) for e in right_node.elts]
                ok = left is not None and (left in options) == isinstance(op, ast.In)
                right = left
            else:
                right = self.visit(right_node)
                if left is None or right is None:
                    return False
                ok = {ast.Lt: left < right, ast.LtE: left <= right, ast.Gt: left > right, ast.GtE: left >= right,
                      ast.Eq: left == right, ast.NotEq: left != right}[type(op)]
            if not ok:
                return False
            left = right
        return True

    def visit_IfExp(self, node):
        return self.visit(node.body) if self.visit(node.test) else self.visit(node.orelse)

    def visit_Call(self, node):
        name = node.func.id
        if name == "if":
            return self.visit(node.args[1]) if self.visit(node.args[0]) else self.visit(node.args[2])
        if name == "coalesce":
            for arg in node.args:
                value = self.visit(arg)
                if value is not None:
                    return value
            return None
        if name == "tier":
            value = self.visit(node.args[0])
            return None if value is None else _tier(value, self.tiers[node.args[1].value])
        args = [self.visit(a) for a in node.args]
        if any(a is None for a in args):
            return None
        if name == "min":
            return min(args)
        if name == "max":
            return max(args)
        if name == "abs":
            return abs(args[0])
        places = node.args[1].value if len(args) == 2 else 0
        try:
            return _round(args[0], places)
        except ArithmeticError:
            raise _error(node, f"round(): the value is too large to keep {places} places") from None


class _SqlCompiler(ast.NodeVisitor):
    def __init__(self, column, tiers):
        self.column, self.tiers = column, tiers

    def visit_Constant(self, node):
        if isinstance(node.value, bool):
            return "TRUE" if node.value else "FALSE"
        if node.value is None:
            return "NULL"
        if isinstance(node.value, str):
            return "'" + node.value.replace("'", "''") + "'"
        digits = format(node.decimal, "f")  # never exponent notation, which SQL would read as a float
        return f"CAST({digits} AS DECIMAL(38, 10))" if "." in digits else digits

    def _name(self, node):
        return self.column(node.dotted)

    visit_Name = _name
    visit_Attribute = _name

    def visit_UnaryOp(self, node):
        operand = self.visit(node.operand)
        return f"(NOT {operand})" if isinstance(node.op, ast.Not) else f"(-{operand})" if isinstance(node.op, ast.USub) else operand

    def visit_BinOp(self, node):
        left, right = self.visit(node.left), self.visit(node.right)
        if isinstance(node.op, ast.Div):
            return f"(CAST({left} AS DECIMAL(38, 10)) / NULLIF({right}, 0))"
        return f"({left} {_BINOPS[type(node.op)]} {right})"

    def visit_BoolOp(self, node):
        joiner = " AND " if isinstance(node.op, ast.And) else " OR "
        return "(" + joiner.join(f"COALESCE({self.visit(v)}, FALSE)" for v in node.values) + ")"

    def visit_Compare(self, node):
        parts, left = [], self.visit(node.left)
        for op, right_node in zip(node.ops, node.comparators):
            if isinstance(op, (ast.In, ast.NotIn)):
                options = ", ".join(self.visit(e) for e in right_node.elts)
                parts.append(f"{left} {'IN' if isinstance(op, ast.In) else 'NOT IN'} ({options})")
                continue
            right = self.visit(right_node)
            parts.append(f"{left} {_CMPOPS[type(op)]} {right}")
            left = right
        return "COALESCE((" + " AND ".join(parts) + "), FALSE)"

    def visit_IfExp(self, node):
        return f"(CASE WHEN {self.visit(node.test)} THEN {self.visit(node.body)} ELSE {self.visit(node.orelse)} END)"

    def visit_Call(self, node):
        name, args = node.func.id, node.args
        if name == "if":
            return f"(CASE WHEN {self.visit(args[0])} THEN {self.visit(args[1])} ELSE {self.visit(args[2])} END)"
        if name == "coalesce":
            return f"COALESCE({', '.join(self.visit(a) for a in args)})"
        if name == "tier":
            value = self.visit(args[0])
            table = sorted(self.tiers[args[1].value], reverse=True)
            cases = " ".join(f"WHEN {value} >= {threshold} THEN {rate}" for threshold, rate in table)
            return f"(CASE WHEN {value} IS NULL THEN NULL {cases} ELSE 0 END)"
        rendered = [self.visit(a) for a in args]
        if name in ("min", "max"):
            # LEAST/GREATEST skip NULLs in PostgreSQL but not in DuckDB: make an empty input empty in both.
            guard = " OR ".join(f"{r} IS NULL" for r in rendered)
            return f"(CASE WHEN {guard} THEN NULL ELSE {'LEAST' if name == 'min' else 'GREATEST'}({', '.join(rendered)}) END)"
        if name == "abs":
            return f"ABS({rendered[0]})"
        places = args[1].value if len(args) == 2 else 0
        return f"ROUND({rendered[0]}, {places})"
