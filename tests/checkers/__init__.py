"""The standard checkers: a role-aware crawl, HTTP manners (HEAD, titles, descriptions, favicon)."""
