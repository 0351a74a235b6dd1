// The public API of Cake.Frosting (cake-build/cake, src/Cake.Frosting), as a reference assembly declares it:
// signatures only, every body `throw null!`. It is compiled by UpstreamFrostingApiTests, never into a project:
// Build.Tests compiles the build's task classes against it to show they need nothing the shim alone has.
// Keep it to the upstream declarations; a member the shim adds must not appear here.
#nullable disable
using System;
using System.Collections.Generic;
using System.Reflection;
using System.Threading.Tasks;
using Cake.Core;
using Cake.Core.Composition;
using Cake.Core.IO;
using Cake.Core.Packaging;
using Microsoft.Extensions.DependencyInjection;

namespace Cake.Frosting
{
    public interface IFrostingTask
    {
        Task RunAsync(ICakeContext context);

        bool ShouldRun(ICakeContext context);

        string SkippedMessage => string.Empty;

        void OnError(Exception exception, ICakeContext context);

        void Finally(ICakeContext context);
    }

    public abstract class FrostingTask : FrostingTask<ICakeContext>
    {
    }

    public abstract class FrostingTask<T> : IFrostingTask
        where T : ICakeContext
    {
        public virtual void Run(T context) => throw null;

        public virtual bool ShouldRun(T context) => throw null;

        public virtual void OnError(Exception exception, T context) => throw null;

        public virtual void Finally(T context) => throw null;

        Task IFrostingTask.RunAsync(ICakeContext context) => throw null;

        bool IFrostingTask.ShouldRun(ICakeContext context) => throw null;

        void IFrostingTask.OnError(Exception exception, ICakeContext context) => throw null;

        void IFrostingTask.Finally(ICakeContext context) => throw null;
    }

    public abstract class AsyncFrostingTask : AsyncFrostingTask<ICakeContext>
    {
    }

    public abstract class AsyncFrostingTask<T> : IFrostingTask
        where T : ICakeContext
    {
        public virtual Task RunAsync(T context) => throw null;

        public virtual bool ShouldRun(T context) => throw null;

        public virtual void OnError(Exception exception, T context) => throw null;

        public virtual void Finally(T context) => throw null;

        Task IFrostingTask.RunAsync(ICakeContext context) => throw null;

        bool IFrostingTask.ShouldRun(ICakeContext context) => throw null;

        void IFrostingTask.OnError(Exception exception, ICakeContext context) => throw null;

        void IFrostingTask.Finally(ICakeContext context) => throw null;
    }

    public interface IFrostingContext : ICakeContext
    {
    }

    public class FrostingContext : CakeContextAdapter, IFrostingContext
    {
        public FrostingContext(ICakeContext context)
            : base(context) => throw null;
    }

    public interface IFrostingSetup
    {
        void Setup(ICakeContext context, ISetupContext info);
    }

    public interface IFrostingTeardown
    {
        void Teardown(ICakeContext context, ITeardownContext info);
    }

    public interface IFrostingLifetime : IFrostingSetup, IFrostingTeardown
    {
    }

    public interface IFrostingTaskSetup
    {
        void Setup(ICakeContext context, ITaskSetupContext info);
    }

    public interface IFrostingTaskTeardown
    {
        void Teardown(ICakeContext context, ITaskTeardownContext info);
    }

    public interface IFrostingTaskLifetime : IFrostingTaskSetup, IFrostingTaskTeardown
    {
    }

    public abstract class FrostingLifetime : FrostingLifetime<ICakeContext>
    {
    }

    public abstract class FrostingLifetime<TContext> : IFrostingLifetime
        where TContext : ICakeContext
    {
        public abstract void Setup(TContext context, ISetupContext info);

        public abstract void Teardown(TContext context, ITeardownContext info);

        void IFrostingSetup.Setup(ICakeContext context, ISetupContext info) => throw null;

        void IFrostingTeardown.Teardown(ICakeContext context, ITeardownContext info) => throw null;
    }

    public abstract class FrostingTaskLifetime : FrostingTaskLifetime<ICakeContext>
    {
    }

    public abstract class FrostingTaskLifetime<TContext> : IFrostingTaskLifetime
        where TContext : ICakeContext
    {
        public abstract void Setup(TContext context, ITaskSetupContext info);

        public abstract void Teardown(TContext context, ITaskTeardownContext info);

        void IFrostingTaskSetup.Setup(ICakeContext context, ITaskSetupContext info) => throw null;

        void IFrostingTaskTeardown.Teardown(ICakeContext context, ITaskTeardownContext info) => throw null;
    }

    public abstract class FrostingSetup<TContext> : IFrostingSetup
        where TContext : ICakeContext
    {
        public abstract void Setup(TContext context, ISetupContext info);

        void IFrostingSetup.Setup(ICakeContext context, ISetupContext info) => throw null;
    }

    public abstract class FrostingTeardown<TContext> : IFrostingTeardown
        where TContext : ICakeContext
    {
        public abstract void Teardown(TContext context, ITeardownContext info);

        void IFrostingTeardown.Teardown(ICakeContext context, ITeardownContext info) => throw null;
    }

    [AttributeUsage(AttributeTargets.Class, Inherited = false)]
    public sealed class TaskNameAttribute : Attribute
    {
        public TaskNameAttribute(string name) => throw null;

        public string Name { get; }
    }

    [AttributeUsage(AttributeTargets.Class, Inherited = false)]
    public sealed class TaskDescriptionAttribute : Attribute
    {
        public TaskDescriptionAttribute(string description) => throw null;

        public string Description { get; }
    }

    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
    public sealed class IsDependentOnAttribute : Attribute
    {
        public IsDependentOnAttribute(Type type) => throw null;

        public Type Task { get; }
    }

    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
    public sealed class IsDependeeOfAttribute : Attribute
    {
        public IsDependeeOfAttribute(Type type) => throw null;

        public Type Task { get; }
    }

    [AttributeUsage(AttributeTargets.Class, Inherited = false)]
    public sealed class ContinueOnErrorAttribute : Attribute
    {
    }

    public sealed class FrostingException : Exception
    {
        public FrostingException(string message) => throw null;

        public FrostingException(string message, Exception innerException) => throw null;
    }

    public interface IFrostingStartup
    {
        void Configure(IServiceCollection services);
    }

    public sealed class CakeHost
    {
        public CakeHost() => throw null;

        public static CakeHost Create() => throw null;

        public CakeHost AddAssembly(Assembly assembly) => throw null;

        public CakeHost ConfigureServices(Action<IServiceCollection> services) => throw null;

        public int Run(IEnumerable<string> args) => throw null;
    }

    public static class CakeHostExtensions
    {
        public static CakeHost UseStartup<TStartup>(this CakeHost host)
            where TStartup : IFrostingStartup, new() => throw null;

        public static CakeHost UseContext<TContext>(this CakeHost host)
            where TContext : class, IFrostingContext => throw null;

        public static CakeHost UseLifetime<TLifetime>(this CakeHost host)
            where TLifetime : class, IFrostingLifetime => throw null;

        public static CakeHost UseSetup<TSetup>(this CakeHost host)
            where TSetup : class, IFrostingSetup => throw null;

        public static CakeHost UseTeardown<TTeardown>(this CakeHost host)
            where TTeardown : class, IFrostingTeardown => throw null;

        public static CakeHost UseTaskLifetime<TLifetime>(this CakeHost host)
            where TLifetime : class, IFrostingTaskLifetime => throw null;

        public static CakeHost UseTaskSetup<TSetup>(this CakeHost host)
            where TSetup : class, IFrostingTaskSetup => throw null;

        public static CakeHost UseTaskTeardown<TTeardown>(this CakeHost host)
            where TTeardown : class, IFrostingTaskTeardown => throw null;

        public static CakeHost UseModule<TModule>(this CakeHost host)
            where TModule : ICakeModule, new() => throw null;

        public static CakeHost UsePackageInstaller<TPackageInstaller>(this CakeHost host)
            where TPackageInstaller : class, IPackageInstaller => throw null;

        public static CakeHost InstallTool(this CakeHost host, Uri uri) => throw null;

        public static CakeHost UseWorkingDirectory(this CakeHost host, DirectoryPath path) => throw null;

        public static CakeHost UseCakeSetting(this CakeHost host, string key, string value) => throw null;

        public static CakeHost SetToolPath(this CakeHost host, DirectoryPath path) => throw null;
    }
}
