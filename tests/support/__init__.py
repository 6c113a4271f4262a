"""Test support: loopback stand-ins for the mail server and the SMS gateway, and their fixtures."""
