"""Deploy tooling: building the Lambda package, throw-away PostgreSQL clusters. Never part of the package."""
