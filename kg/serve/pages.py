"""Web page routes (filled in below)."""
def routes(options):
    return []
