using TwitterBot.Processor.Clients.X;

namespace TwitterBot.Tests.Processor;

public static class OutOfCredits_Specs
{
    private static XApiException Answer(int status, string body, params (string Name, string Value)[] headers)
    {
        using var response = new HttpResponseMessage();
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return XApiException.FromAnswer(status, body, response.Headers);
    }

    public class When_X_refuses_a_send_for_money
    {
        [Test]
        public void Should_take_402_as_out_of_credits_not_as_a_permanent_refusal() =>
            Assert.That(Answer(402, """{"title":"CreditsDepleted","detail":"Your enrolled account does not have any credits to fulfill this request.","status":402}""").Kind,
                Is.EqualTo(XFailureKind.OutOfCredits));

        [Test]
        public void Should_take_429_UsageCapExceeded_as_out_of_credits_though_the_window_shows_quota()
        {
            var capped = Answer(429,
                """{"title":"UsageCapExceeded","period":"Monthly","scope":"Product","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.twitter.com/2/problems/usage-capped"}""",
                ("x-rate-limit-limit", "40000"), ("x-rate-limit-remaining", "39999"), ("x-rate-limit-reset", "1795000000"));

            Assert.Multiple(() =>
            {
                Assert.That(capped.Kind, Is.EqualTo(XFailureKind.OutOfCredits));
                Assert.That(capped.IsRetryable, Is.True, "the message waits, it is not dead-lettered");
                Assert.That(capped.Quota.User?.Remaining, Is.EqualTo(39999));
            });
        }

        [TestCase("""{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}""", TestName = "Should_keep_a_v2_429_without_the_cap_a_rate_limit")]
        [TestCase("""{"errors":[{"code":88,"message":"Rate limit exceeded"}]}""", TestName = "Should_keep_a_v1_429_code_88_a_rate_limit")]
        public void Should_keep_other_429s_rate_limits(string body) =>
            Assert.That(Answer(429, body).Kind, Is.EqualTo(XFailureKind.RateLimited));
    }

    public class When_X_reports_its_windows
    {
        [Test]
        public void Should_read_the_endpoints_window_and_the_apps_24_hour_window()
        {
            using var response = new HttpResponseMessage();
            response.Headers.TryAddWithoutValidation("x-rate-limit-limit", "15");
            response.Headers.TryAddWithoutValidation("x-rate-limit-remaining", "0");
            response.Headers.TryAddWithoutValidation("x-rate-limit-reset", "1795000000");
            response.Headers.TryAddWithoutValidation("x-app-limit-24hour-limit", "1440");
            response.Headers.TryAddWithoutValidation("x-app-limit-24hour-remaining", "1200");
            response.Headers.TryAddWithoutValidation("x-app-limit-24hour-reset", "1795080000");

            var quota = XQuota.From(response.Headers);

            Assert.Multiple(() =>
            {
                Assert.That(quota.User, Is.EqualTo(new XQuotaWindow(XQuota.UserWindow, 15, 0, DateTimeOffset.FromUnixTimeSeconds(1795000000))));
                Assert.That(quota.User!.IsSpent, Is.True);
                Assert.That(quota.App24Hour, Is.EqualTo(new XQuotaWindow(XQuota.App24HourWindow, 1440, 1200, DateTimeOffset.FromUnixTimeSeconds(1795080000))));
                Assert.That(quota.User24Hour, Is.Null, "no headers, no window");
            });
        }

        [Test]
        public void Should_ignore_a_reset_no_date_can_hold()
        {
            using var response = new HttpResponseMessage();
            response.Headers.TryAddWithoutValidation("x-rate-limit-reset", "99999999999999");

            Assert.That(XQuota.From(response.Headers).IsEmpty, Is.True);
        }
    }
}
