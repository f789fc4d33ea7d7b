"""FitCoach: a Telegram fitness coach."""
