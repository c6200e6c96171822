"""Health declarations, the status rules and the signed QR health cards built on them."""
