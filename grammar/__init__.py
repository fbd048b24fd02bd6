"""The lark grammar of the policy language, shipped as package data."""
