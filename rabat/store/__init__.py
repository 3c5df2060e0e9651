"""Files and records: rows read from CSV or JSON lines in bounded memory (`lines`, `records`),
files written so no reader sees half of one (`files`), and the retraining queue the service and
the retraining job share (`retrain_queue`)."""
