"""The agency console: a server-rendered web app where officers work applications, bills and refunds.

A channel like the others (`console/channel.py`): every action calls the domain functions the agency API
calls; this package only renders their answers.
"""
