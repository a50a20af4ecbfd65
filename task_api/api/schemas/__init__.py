"""The JSON schemas the API publishes and validates bodies against."""
