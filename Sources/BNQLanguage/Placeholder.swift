enum _PlaceholderBNQLanguage {}
