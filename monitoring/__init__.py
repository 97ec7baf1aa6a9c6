"""Operations: health and readiness probes, Prometheus metrics, JSON logs."""
