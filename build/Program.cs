using Rekey.Build;

return await RekeyBuild.CreateHost().RunAsync(args);
