"""The authority in context: DfE's published rates, statistical neighbours, deprivation-adjusted
comparison (the inverse intervention law) and a check of an upload against the DfE return."""
