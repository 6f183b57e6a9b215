"""Run one gateway engine in the foreground (a real process for tests).

Run: python tests/gateway/_run_engine.py SETTINGS_JSON ENDPOINTS_FILE
"""

import sys

from skyclass.gateway import GatewaySettings, run_engine

settings = GatewaySettings.model_validate_json(sys.argv[1])
run_engine(settings, endpoints_file=sys.argv[2])
