"""What other apps may use of compensation: the payslip totals by staff, branch and month (the reports' payroll
measures). Like every facade it only re-exports."""
from brokercrm.compensation.selectors import PayAmounts, pay_amounts  # noqa: F401
