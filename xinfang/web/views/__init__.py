"""Staff pages: home, registration desk, petition page and its actions."""
