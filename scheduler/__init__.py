"""The scheduler process: APScheduler with a persistent job store in the
service's database, one active leader and any number of standbys."""
