enum _PlaceholderBNQRender {}
