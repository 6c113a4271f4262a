"""The admin pages for people: accounts with their roles, enterprise and task forces.

It sits above auth, enterprises and taskforces because an account page offers all three;
auth itself knows nothing of enterprises or task forces.
"""
