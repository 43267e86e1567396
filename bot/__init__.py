"""aiogram wiring: settings, composition root, dispatcher, middlewares, CLI."""
