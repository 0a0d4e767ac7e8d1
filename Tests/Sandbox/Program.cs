using TwitterBot.Sandbox;

return await SandboxChat.RunAsync(SandboxSettings.FromEnvironment(), Console.In, Console.Out);
