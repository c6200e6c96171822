"""Village checkpoints: volunteers scanning health cards, place-code check-ins, supervision."""
