"""SCIM 2.0 provisioning (service provider side) at /scim/v2/: Users and Groups of one organization."""
