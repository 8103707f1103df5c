enum _PlaceholderBNQRunner {}
