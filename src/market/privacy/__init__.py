"""What the platform keeps about a person, for them to see."""
