"""Job postings, the labour-demand survey, Chinese search, applications and recommendations."""
