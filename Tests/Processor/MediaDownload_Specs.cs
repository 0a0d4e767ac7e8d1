using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using TwitterBot.Processor.Clients.X;
using TwitterBot.Processor.Conversations.Saga;
using TwitterBot.Processor.Options;
using TwitterBot.Tests.Support;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace TwitterBot.Tests.Processor;

/// <summary>The attachment download against a real local HTTP server; its outcome decides media, link or text.</summary>
public static class MediaDownload_Specs
{
    public class When_an_attachment_is_downloaded
    {
        private FakeGateway _server = null!;
        private HttpClient _http = null!;

        [SetUp]
        public async Task StartAsync()
        {
            _server = new FakeGateway();
            await _server.StartAsync();
            _http = new HttpClient(MediaDownloadClient.CreateHandler()) { Timeout = Timeout.InfiniteTimeSpan };
        }

        [TearDown]
        public async Task StopAsync()
        {
            _http.Dispose();
            await _server.DisposeAsync();
        }

        private MediaDownloadClient Client(TimeSpan? timeout = null) => new(_http,
            MsOptions.Create(new ProcessorOptions { Replies = { MediaDownloadTimeout = timeout ?? TimeSpan.FromSeconds(30) } }));

        [Test]
        public async Task Should_fetch_a_picture_with_its_X_category()
        {
            var download = await Client().DownloadAsync(_server.CatPictureUrl.ToString(), CancellationToken.None);

            Assert.That((download.Media?.Bytes, download.Media?.Category), Is.EqualTo((FakeGateway.CatPicture, "dm_image")));
        }

        [TestCase("file:///etc/passwd")]
        [TestCase("data:image/png;base64,iVBORw0KGgo=")]
        [TestCase("/media/cat.png")]
        [TestCase("//127.0.0.1/media/cat.png")]
        [TestCase("ftp://127.0.0.1/cat.png")]
        public async Task Should_refuse_an_address_that_is_not_absolute_http_without_showing_it(string url)
        {
            var download = await Client().DownloadAsync(url, CancellationToken.None);

            Assert.That((download.Media, download.ShowLink), Is.EqualTo(((DownloadedMedia?)null, false)));
        }

        [Test]
        public async Task Should_refuse_an_address_with_user_info_without_requesting_it()
        {
            var url = new UriBuilder(_server.CatPictureUrl) { UserName = "user", Password = "secret" }.Uri.ToString();

            var download = await Client().DownloadAsync(url, CancellationToken.None);

            Assert.That((download.Media, download.ShowLink), Is.EqualTo(((DownloadedMedia?)null, false)));
        }

        [Test]
        public async Task Should_follow_a_redirect_to_http_and_check_it()
        {
            var download = await Client().DownloadAsync(_server.RedirectTo("/media/cat.png").ToString(), CancellationToken.None);

            Assert.That(download.Media?.Bytes, Is.EqualTo(FakeGateway.CatPicture));
        }

        [TestCase("file:///etc/passwd")]
        [TestCase("data:image/png;base64,iVBORw0KGgo=")]
        [TestCase("//evil.example/cat.png")]
        public async Task Should_refuse_a_redirect_to_another_scheme_and_show_the_link_instead(string location)
        {
            var download = await Client().DownloadAsync(_server.RedirectTo(location).ToString(), CancellationToken.None);

            Assert.That((download.Media, download.ShowLink), Is.EqualTo(((DownloadedMedia?)null, true)));
            Assert.That(download.Refusal, Does.Contain("redirected"));
        }

        [Test]
        public async Task Should_refuse_more_than_the_allowed_redirects()
        {
            var url = _server.CatPictureUrl.ToString();
            for (var hop = 0; hop <= MediaDownloadClient.MaxRedirects; hop++)
            {
                url = _server.RedirectTo(url).ToString();
            }

            var download = await Client().DownloadAsync(url, CancellationToken.None);

            Assert.That((download.Media, download.ShowLink, download.Refusal), Is.EqualTo(((DownloadedMedia?)null, true, $"it was redirected more than {MediaDownloadClient.MaxRedirects} times")));
        }

        [Test]
        public async Task Should_stop_at_the_size_limit_when_there_is_no_Content_Length()
        {
            await using var media = new StreamingMediaServer();

            var download = await Client().DownloadAsync(media.Url("endless.png").ToString(), CancellationToken.None);

            Assert.That((download.Media, download.ShowLink), Is.EqualTo(((DownloadedMedia?)null, true)));
            Assert.That(media.BytesServed, Is.LessThan(2 * MediaDownloadClient.MaxBytes), "read up to the limit, not to the end");
        }

        [Test]
        public async Task Should_not_read_a_body_whose_Content_Length_is_over_the_limit()
        {
            await using var media = new StreamingMediaServer();

            var download = await Client().DownloadAsync(media.Url("huge.png").ToString(), CancellationToken.None);

            Assert.That((download.Media, download.ShowLink), Is.EqualTo(((DownloadedMedia?)null, true)));
            Assert.That(media.BytesServed, Is.LessThan(MediaDownloadClient.MaxBytes));
        }

        [Test]
        public async Task Should_give_up_on_a_body_that_never_ends_after_the_timeout()
        {
            var download = await Client(TimeSpan.FromMilliseconds(500)).DownloadAsync(_server.StalledPictureUrl.ToString(), CancellationToken.None);

            Assert.That((download.Media, download.ShowLink), Is.EqualTo(((DownloadedMedia?)null, true)));
            Assert.That(download.Refusal, Does.StartWith("it was not downloaded within"));
        }

        [Test]
        public async Task Should_read_no_more_than_a_lying_Content_Length_announces()
        {
            await using var media = new StreamingMediaServer();

            var download = await Client().DownloadAsync(media.Url("lie.png").ToString(), CancellationToken.None);

            Assert.That(download.Media?.Bytes, Has.Length.EqualTo(1024));
        }
    }

    public class When_the_media_download_timeout_is_out_of_range
    {
        private sealed class ConfiguredProcessor(IDictionary<string, string?> settings) : WebApplicationFactory<ConversationStateMachine>
        {
            protected override void ConfigureWebHost(IWebHostBuilder builder)
            {
                builder.UseEnvironment("Testing");
                builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(settings));
            }
        }

        [TestCase("00:00:00")]
        [TestCase("00:10:00")]
        public void Should_stop_the_processor_naming_the_key(string timeout)
        {
            var settings = TestSettings.Common();
            settings["Gateway:Url"] = "http://127.0.0.1:9/";
            settings["Processor:Replies:MediaDownloadTimeout"] = timeout;
            using var processor = new ConfiguredProcessor(settings);

            Assert.That(Assert.Throws(Is.InstanceOf<Exception>(), () => processor.CreateClient())!.ToString(),
                Does.Contain("Processor:Replies:MediaDownloadTimeout must be between 00:00:00.1 and 00:05:00"));
        }
    }
}
