"""The shared toolkit at the bottom of the house: periods and ratios, KPI tables, the one Excel
writer, the one PDF base, formatting and masking, paging, rate limits and the service-error base.

It imports nothing of ours (every app may import it)."""
