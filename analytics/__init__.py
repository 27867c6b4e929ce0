"""Analytics for decisions: hourly roll-ups kept up to date from the events Rabta already records, the
console dashboards that read them, the public performance page, and the durable USSD funnel log."""
