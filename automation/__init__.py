"""Program automation: creates and tracks enablement program issues in GitLab."""
