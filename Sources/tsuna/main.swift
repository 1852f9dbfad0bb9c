print("tsuna")
