"""Proof that a number belongs to a CNIC: a port with a sandbox adapter and a slot for a real one.

Pakistan's biometric SIM registration ties every SIM to a CNIC, so an operator (or PTA/NADRA through one)
can answer "is MSISDN registered to CNIC?" and "did this SIM change recently?". Rabta asks through
`IdentityPort`; `IDENTITY_PROVIDER` picks the adapter from `app.identity.registry.IDENTITY_ADAPTERS`.
"""
