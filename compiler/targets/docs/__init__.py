"""The docs target: readable pages of the rules beside their 原文, and the lexer that colours them."""
