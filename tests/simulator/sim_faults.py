"""Fault validation and selection for the Whisper API simulator.

whisper_api_sim.py documents the fault kinds and sends the faulty responses.
This module checks fault objects and decides which faults apply to a request.
"""

import threading

from sim_scenario import ScenarioError, require_bool, require_int, require_list, require_non_negative, require_number

COMMON_KEYS = {"kind", "match", "times"}

# Keys each kind accepts besides COMMON_KEYS.
KIND_KEYS = {
    "latency": {"ms"},
    "status": {"code", "message"},
    "rate_limit": {"retry_after", "message"},
    "not_json": set(),
    "wrong_shape": {"body"},
    "truncated": set(),
    "oversized": {"mib", "content_length"},
    "slow_drip": {"interval_ms"},
    "close": set(),
    "echo_key": set(),
    "total_drift": {"delta", "remove_first"},
}

DEFAULT_OVERSIZED_MIB = 17
DEFAULT_DRIP_INTERVAL_MS = 500
HTTP_DATE_PREFIX = "http-date:"


def validate_faults(faults):
    """Return validated copies of a fault list with defaults filled in, or raise ScenarioError."""
    faults = require_list(faults, "the fault list")
    return [validate_fault(fault, f"faults[{index}]") for index, fault in enumerate(faults)]


def validate_fault(fault, where):
    """Return a validated copy of one fault object with defaults filled in."""
    if not isinstance(fault, dict):
        raise ScenarioError(f"{where}: a fault must be a JSON object, got {type(fault).__name__}")
    kind = fault.get("kind")
    if kind not in KIND_KEYS:
        raise ScenarioError(f"{where}: 'kind' must be one of {', '.join(KIND_KEYS)}, got {kind!r}")
    where = f"{where} ({kind})"
    unknown = sorted(set(fault) - COMMON_KEYS - KIND_KEYS[kind])
    if unknown:
        raise ScenarioError(f"{where}: unknown key(s) {', '.join(unknown)}")

    fault = dict(fault)
    fault.setdefault("match", "")
    if not isinstance(fault["match"], str):
        raise ScenarioError(f"{where}: 'match' must be a string")
    if "times" in fault and require_int(fault["times"], f"{where}: 'times'") < 1:
        raise ScenarioError(f"{where}: 'times' must be at least 1, got {fault['times']}")
    validator = KIND_VALIDATORS.get(kind)
    if validator is not None:
        validator(fault, where)
    return fault


def validate_latency(fault, where):
    require_non_negative(fault.get("ms"), f"{where}: 'ms'")


def validate_status(fault, where):
    code = require_int(fault.get("code"), f"{where}: 'code'")
    # 1xx responses cannot carry the ErrorResponse body.
    if not 200 <= code <= 599:
        raise ScenarioError(f"{where}: 'code' must be an HTTP status code from 200 to 599, got {code}")
    if "message" in fault and not isinstance(fault["message"], str):
        raise ScenarioError(f"{where}: 'message' must be a string")


def validate_rate_limit(fault, where):
    retry_after_seconds(fault.get("retry_after"), where)
    if "message" in fault and not isinstance(fault["message"], str):
        raise ScenarioError(f"{where}: 'message' must be a string")


def validate_wrong_shape(fault, where):
    if "body" not in fault:
        raise ScenarioError(f"{where}: 'body' is missing")


def validate_oversized(fault, where):
    fault.setdefault("mib", DEFAULT_OVERSIZED_MIB)
    if require_number(fault["mib"], f"{where}: 'mib'") <= 0:
        raise ScenarioError(f"{where}: 'mib' must be greater than 0, got {fault['mib']}")
    require_bool(fault.setdefault("content_length", True), f"{where}: 'content_length'")


def validate_slow_drip(fault, where):
    require_non_negative(fault.setdefault("interval_ms", DEFAULT_DRIP_INTERVAL_MS), f"{where}: 'interval_ms'")


def validate_total_drift(fault, where):
    require_int(fault.setdefault("delta", 0), f"{where}: 'delta'")
    if require_int(fault.setdefault("remove_first", 0), f"{where}: 'remove_first'") < 0:
        raise ScenarioError(f"{where}: 'remove_first' must not be negative")


KIND_VALIDATORS = {
    "latency": validate_latency,
    "status": validate_status,
    "rate_limit": validate_rate_limit,
    "wrong_shape": validate_wrong_shape,
    "oversized": validate_oversized,
    "slow_drip": validate_slow_drip,
    "total_drift": validate_total_drift,
}


def retry_after_seconds(value, where="rate_limit"):
    """Return the delay in seconds of a rate_limit fault's `retry_after`.

    The value is an integer number of seconds, or "http-date:N" for a
    Retry-After header sent as the HTTP-date N seconds after the API's now.
    """
    if isinstance(value, str) and value.startswith(HTTP_DATE_PREFIX):
        seconds = value[len(HTTP_DATE_PREFIX):]
        if seconds.isdigit():
            return int(seconds)
    elif isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise ScenarioError(
        f"{where}: 'retry_after' must be a non-negative integer or \"{HTTP_DATE_PREFIX}N\", got {value!r}"
    )


class FaultSet:
    """The active faults and how often each has applied, shared by all handler threads."""

    def __init__(self, faults):
        self._lock = threading.Lock()
        self.replace(faults)

    def replace(self, faults):
        """Validate and install a new fault list, which resets every `times` counter."""
        validated = validate_faults(faults)
        with self._lock:
            self._faults = validated
            self._uses = [0] * len(validated)

    def select(self, path_and_query):
        """Pick the faults for one API request and count them as used.

        Faults are tried in list order, skipping those whose `match` is not a
        substring of the path and query and those already used `times` times.
        Every matching latency fault applies, and the first matching fault of
        another kind ends the search. Returns (latency faults, terminal fault or None).
        """
        latencies = []
        with self._lock:
            for index, fault in enumerate(self._faults):
                if fault["match"] not in path_and_query:
                    continue
                if "times" in fault and self._uses[index] >= fault["times"]:
                    continue
                self._uses[index] += 1
                if fault["kind"] != "latency":
                    return latencies, fault
                latencies.append(fault)
        return latencies, None
