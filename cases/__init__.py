"""Cases from intake to closed: the lifecycle's one transition table, the audited
events, repeat reports and on-site inspections (GB/T 30428)."""
