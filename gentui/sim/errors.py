"""The simulator's error type: every error answers `{"error": human text, "error_code": code}`."""

from __future__ import annotations


class ApiError(Exception):
    """An error answer: HTTP status, machine code, human message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict[str, str]:
        return {"error": self.message, "error_code": self.code}


def unauthorized() -> ApiError:
    return ApiError(401, "unauthorized", "Unauthorized")


def not_found(what: str = "Not found") -> ApiError:
    return ApiError(404, "not_found", what)


def validation(message: str) -> ApiError:
    return ApiError(422, "validation_error", message)


def agent_not_found(message: str = "Agent not found") -> ApiError:
    return ApiError(422, "agent_not_found", message)


def credit_required() -> ApiError:
    return ApiError(422, "usable_gen_credit_required", "GEN credits are required to use the API.")


def insufficient_credits() -> ApiError:
    return ApiError(422, "insufficient_credits_for_job", "Insufficient credits for this job")
