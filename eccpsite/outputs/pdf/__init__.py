"""The PDF edition: WeasyPrint, its fetch policy and fetcher."""
