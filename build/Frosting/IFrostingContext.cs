using Cake.Core;

namespace Cake.Frosting;

/// <summary>The context every task receives; a build derives its typed context from <see cref="FrostingContext"/>.</summary>
public interface IFrostingContext : ICakeContext
{
}

public class FrostingContext(ICakeContext context) : CakeContextAdapter(context), IFrostingContext
{
}
