"""The Envoy data plane's private parts: finding the binary, rendering its configuration,
reading its admin statistics and the control loop that keeps it current."""
