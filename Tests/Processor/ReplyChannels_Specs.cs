using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http;
using TwitterBot.Processor.Channels;
using TwitterBot.Processor.Clients.X;
using TwitterBot.Processor.Extensions;
using TwitterBot.Processor.Replies;
using TwitterBot.Simulators;
using TwitterBot.Tests.Support;

namespace TwitterBot.Tests.Processor;

/// <summary>
/// The reply channel as the Processor composes it (Refit's generated clients, the signing handler, XResponses),
/// against a real HTTP server that answers each send the way a spec says: what every answer, or its absence, means.
/// </summary>
public static class ReplyChannels_Specs
{
    private static readonly ReplyAddress Jane = new(new XUserToken(TestCredentials.BotAccessToken, TestCredentials.BotAccessSecret), TestCredentials.BotUserId, "3001969357");

    public class When_the_Processor_composes_its_reply_channel
    {
        [TestCase("1.1", typeof(XDirectMessagesV1Channel), TestName = "Should_send_through_X_DM_v1_1_by_default_version")]
        [TestCase("2", typeof(XDirectMessagesV2Channel), TestName = "Should_send_through_X_DM_v2_when_TwitterBot_Api_Version_is_2")]
        public async Task Should_choose_it_by_version(string version, Type expected)
        {
            await using var x = new ScriptedX();
            await x.StartAsync();
            using var host = Compose(x.BaseAddress, version);

            Assert.That(host.Services.GetRequiredService<IReplyChannel>(), Is.TypeOf(expected));
        }
    }

    public class When_X_answers_a_send
    {
        [TestCase(200, """{"event":{"id":"1930000000000000042"}}""", null, "sent 1930000000000000042", TestName = "Should_take_the_id_X_gave_the_DM")]
        [TestCase(200, "<html>OK</html>", null, "sent without id", TestName = "Should_take_a_garbled_2xx_as_sent")]
        [TestCase(200, "", null, "sent without id", TestName = "Should_take_an_empty_2xx_as_sent")]
        [TestCase(403, """{"errors":[{"code":349,"message":"You cannot send messages to this user."}]}""", null, "Permanent", TestName = "Should_never_retry_349")]
        [TestCase(404, """{"errors":[{"code":108,"message":"Cannot find specified user."}]}""", null, "Permanent", TestName = "Should_never_retry_108")]
        [TestCase(401, """{"errors":[{"code":89,"message":"Invalid or expired token."}]}""", null, "Revoked", TestName = "Should_take_89_as_revocation")]
        [TestCase(401, """{"errors":[{"code":32,"message":"Could not authenticate you."}]}""", null, "AuthenticationFailed", TestName = "Should_retry_32_as_no_revocation")]
        [TestCase(401, "", null, "AuthenticationFailed", TestName = "Should_retry_a_bare_401_as_no_revocation")]
        [TestCase(429, """{"errors":[{"code":88,"message":"Rate limit exceeded."}]}""", "1893456000", "RateLimited until 1893456000", TestName = "Should_wait_for_429_until_the_reset_header")]
        [TestCase(503, "<html>Over capacity</html>", null, "Transient, outcome unknown", TestName = "Should_take_a_5xx_HTML_page_as_an_unknown_outcome")]
        [TestCase(500, """{"errors":[{"code":131,"message":"Internal error."}]}""", null, "Transient, outcome unknown", TestName = "Should_take_131_as_an_unknown_outcome")]
        public async Task Should_classify_it_on_v1_1(int status, string body, string? rateLimitReset, string expected)
        {
            await using var x = new ScriptedX { Answer = Answer(status, body, rateLimitReset) };
            await x.StartAsync();
            using var host = Compose(x.BaseAddress, "1.1");

            Assert.That(await OutcomeAsync(host), Is.EqualTo(expected));
            Assert.That(x.Paths.Single(), Is.EqualTo("/1.1/direct_messages/events/new.json"));
        }

        [TestCase(201, """{"data":{"dm_conversation_id":"1-2","dm_event_id":"1930000000000000043"}}""", "sent 1930000000000000043", TestName = "Should_take_the_id_X_gave_the_DM_on_v2")]
        [TestCase(400, """{"title":"Invalid Request","detail":"One or more parameters to your request was invalid."}""", "Permanent", TestName = "Should_never_retry_a_v2_problem_400")]
        [TestCase(401, """{"title":"Unauthorized","status":401}""", "AuthenticationFailed", TestName = "Should_retry_a_v2_401_as_no_revocation")]
        [TestCase(502, "", "Transient, outcome unknown", TestName = "Should_take_a_v2_5xx_as_an_unknown_outcome")]
        public async Task Should_classify_it_on_v2(int status, string body, string expected)
        {
            await using var x = new ScriptedX { Answer = Answer(status, body, null) };
            await x.StartAsync();
            using var host = Compose(x.BaseAddress, "2");

            Assert.That(await OutcomeAsync(host), Is.EqualTo(expected));
            Assert.That(x.Paths.Single(), Is.EqualTo("/2/dm_conversations/with/3001969357/messages"));
        }

        [Test]
        public async Task Should_take_Xs_time_from_its_Date_header_even_on_an_error()
        {
            await using var x = new ScriptedX
            {
                Answer = context =>
                {
                    context.Response.Headers.Date = DateTimeOffset.UtcNow.AddHours(1).ToString("R");
                    context.Response.StatusCode = 503;
                    return Task.CompletedTask;
                },
            };
            await x.StartAsync();
            using var host = Compose(x.BaseAddress, "1.1");

            await OutcomeAsync(host);

            Assert.That(host.Services.GetRequiredService<XClock>().Offset, Is.EqualTo(TimeSpan.FromHours(1)).Within(TimeSpan.FromMinutes(1)));
        }
    }

    public class When_no_answer_to_a_send_arrives
    {
        [TestCase("1.1", TestName = "Should_take_a_dropped_connection_as_an_unknown_outcome")]
        [TestCase("2", TestName = "Should_take_a_dropped_connection_as_an_unknown_outcome_on_v2")]
        public async Task Should_take_a_dropped_connection_as_an_unknown_outcome(string version)
        {
            await using var x = new ScriptedX
            {
                Answer = async context =>
                {
                    await context.Request.Body.CopyToAsync(Stream.Null);
                    context.Abort();
                },
            };
            await x.StartAsync();
            using var host = Compose(x.BaseAddress, version);

            Assert.That(await OutcomeAsync(host), Is.EqualTo("outcome unknown"));
            Assert.That(x.Paths, Has.Count.EqualTo(1), "the request reached X, and was not retried");
        }

        [Test]
        public async Task Should_take_a_timeout_as_an_unknown_outcome()
        {
            await using var x = new ScriptedX { Answer = context => Task.Delay(Timeout.Infinite, context.RequestAborted) };
            await x.StartAsync();
            using var host = Compose(x.BaseAddress, "1.1", TimeSpan.FromMilliseconds(500));

            Assert.That(await OutcomeAsync(host), Is.EqualTo("outcome unknown"));
        }

        [Test]
        public async Task Should_take_a_refused_connection_as_not_sent()
        {
            // Bound but never listening: a connect is refused, and no parallel fixture can take the port meanwhile.
            using var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            using var host = Compose(new Uri($"http://127.0.0.1:{((IPEndPoint)closed.LocalEndPoint!).Port}/"), "1.1");

            Assert.That(await OutcomeAsync(host), Is.EqualTo("not sent"));
        }
    }

    public class When_X_garbles_a_page_of_the_bots_DMs
    {
        [TestCase("1.1", TestName = "Should_leave_the_lookup_undecided")]
        [TestCase("2", TestName = "Should_leave_the_lookup_undecided_on_v2")]
        public async Task Should_leave_the_lookup_undecided(string version)
        {
            await using var x = new ScriptedX { Answer = Answer(200, "<html>busy</html>", null) };
            await x.StartAsync();
            using var host = Compose(x.BaseAddress, version);
            var channel = host.Services.GetRequiredService<IReplyChannel>();

            Assert.That(
                async () => await channel.FindSentAsync(Jane, new PlannedReply("Hello"), DateTimeOffset.UtcNow, CancellationToken.None),
                Throws.TypeOf<ReplyLookupUndecidedException>());
        }
    }

    private static RequestDelegate Answer(int status, string body, string? rateLimitReset) => async context =>
    {
        await context.Request.Body.CopyToAsync(Stream.Null);
        context.Response.StatusCode = status;
        if (rateLimitReset is not null)
        {
            context.Response.Headers["x-rate-limit-reset"] = rateLimitReset;
        }

        if (body.Length > 0)
        {
            context.Response.ContentType = body.StartsWith('<') ? "text/html" : "application/json";
            await context.Response.WriteAsync(body);
        }
    };

    /// <summary>The send's outcome, as the turn tells outcomes apart.</summary>
    private static async Task<string> OutcomeAsync(IHost host)
    {
        var channel = host.Services.GetRequiredService<IReplyChannel>();
        try
        {
            var id = await channel.SendAsync(Jane, new OutgoingReply(new PlannedReply("Hello"), "Hello", null), CancellationToken.None);
            return $"sent {id ?? "without id"}";
        }
        catch (XApiException refused)
        {
            return refused.Kind
                   + (refused.OutcomeUnknown ? ", outcome unknown" : "")
                   + (refused.RateLimitResetsAt is { } reset ? $" until {reset.ToUnixTimeSeconds()}" : "");
        }
        catch (XOutcomeUnknownException)
        {
            return "outcome unknown";
        }
        catch (HttpRequestException unreached) when (unreached.HttpRequestError == HttpRequestError.ConnectionError)
        {
            return "not sent";
        }
    }

    /// <summary>The Processor's options and API clients, X at <paramref name="x"/>.</summary>
    private static IHost Compose(Uri x, string version, TimeSpan? timeout = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing", DisableDefaults = true });
        var settings = TestSettings.Common();
        settings["Gateway:Url"] = "http://127.0.0.1:9/";
        settings["TwitterBot:Api:TwitterUrl"] = new Uri(x, "1.1").ToString();
        settings["TwitterBot:Api:UploadUrl"] = new Uri(x, "1.1").ToString();
        settings["TwitterBot:Api:Version"] = version;
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddProcessorOptions();
        builder.AddApiClients();
        if (timeout is { } limit)
        {
            builder.Services.ConfigureAll<HttpClientFactoryOptions>(o => o.HttpClientActions.Add(http => http.Timeout = limit));
        }

        return builder.Build();
    }

    /// <summary>X as a spec scripts it: every request gets <see cref="Answer"/>; the paths asked are kept.</summary>
    private sealed class ScriptedX : FakeHttpServer
    {
        public RequestDelegate Answer { get; init; } = context => Task.CompletedTask;

        public System.Collections.Concurrent.ConcurrentQueue<string> Paths { get; } = new();

        protected override void Map(WebApplication app) => app.Run(context =>
        {
            Paths.Enqueue(context.Request.Path);
            return Answer(context);
        });
    }
}
