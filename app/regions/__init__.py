"""Administrative regions (GB/T 2260): city → county/zone → township → village, and destinations."""
