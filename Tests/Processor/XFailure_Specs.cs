using TwitterBot.Processor.Clients.X;

namespace TwitterBot.Tests.Processor;

public static class XFailure_Specs
{
    public class When_X_answers_a_send_with_an_error
    {
        [TestCase(403, 349, XFailureKind.Permanent, TestName = "Should_never_retry_349_cannot_send_messages_to_this_user")]
        [TestCase(403, 150, XFailureKind.Permanent, TestName = "Should_never_retry_150_not_following")]
        [TestCase(404, 108, XFailureKind.Permanent, TestName = "Should_never_retry_108_no_such_user")]
        [TestCase(403, 0, XFailureKind.Permanent, TestName = "Should_never_retry_another_403")]
        [TestCase(429, 88, XFailureKind.RateLimited, TestName = "Should_wait_for_429")]
        [TestCase(420, 88, XFailureKind.RateLimited, TestName = "Should_wait_for_code_88_whatever_the_status")]
        [TestCase(503, 130, XFailureKind.Transient, TestName = "Should_retry_130_over_capacity")]
        [TestCase(500, 131, XFailureKind.Transient, TestName = "Should_retry_131_internal_error")]
        [TestCase(502, 0, XFailureKind.Transient, TestName = "Should_retry_a_5xx_without_details")]
        [TestCase(401, 89, XFailureKind.Revoked, TestName = "Should_take_89_invalid_or_expired_token_as_revocation")]
        [TestCase(401, 32, XFailureKind.AuthenticationFailed, TestName = "Should_retry_32_could_not_authenticate_as_no_revocation")]
        [TestCase(401, 135, XFailureKind.AuthenticationFailed, TestName = "Should_retry_135_timestamp_out_of_bounds_as_no_revocation")]
        [TestCase(401, 0, XFailureKind.AuthenticationFailed, TestName = "Should_retry_a_401_without_a_code_as_no_revocation")]
        public void Should_classify_it(int status, int code, XFailureKind expected) =>
            Assert.That(new XApiException(status, code == 0 ? [] : [new XApiError(code, "…")], null).Kind, Is.EqualTo(expected));
    }
}
