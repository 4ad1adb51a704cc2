# French typography writes hours as « 14 h 32 ».
TIME_FORMAT = r"H \h i"
