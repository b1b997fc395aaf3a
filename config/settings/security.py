"""HTTPS, response headers and the Content-Security-Policy."""
from config.settings.environment import env_bool, env_int

# BROKERCRM_HTTPS=true when users reach the site over HTTPS: it turns on every HTTPS-only setting below
# (each can still be set on its own).
_https = env_bool("BROKERCRM_HTTPS", False)
SECURE_SSL_REDIRECT = env_bool("BROKERCRM_SSL_REDIRECT", _https)
# Load balancers probe the health check over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("BROKERCRM_HSTS_SECONDS", 31536000 if _https else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("BROKERCRM_HSTS_INCLUDE_SUBDOMAINS", _https)
SECURE_HSTS_PRELOAD = env_bool("BROKERCRM_HSTS_PRELOAD", _https)
SESSION_COOKIE_SECURE = env_bool("BROKERCRM_SECURE_COOKIES", _https)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Behind a reverse proxy that ends TLS, the proxy's X-Forwarded-Proto says whether the request came over HTTPS.
if env_bool("BROKERCRM_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Only the application's own (vendored) scripts, styles, fonts and images: no inline script or style, no CDN.
# data: images are Bootstrap's and Swagger UI's inline SVG icons.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
