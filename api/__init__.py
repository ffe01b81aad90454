"""The GraphQL API (strawberry on Starlette), the playground and the views' routes."""
