"""Files and records: rows read from CSV or JSON lines in bounded memory, and files written so no
reader sees half of one."""
