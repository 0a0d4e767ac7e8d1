using FluentValidation;

namespace TwitterBot.Processor.Options;

/// <summary>
/// The <c>Processor</c> section: knobs of the conversation engine that the original did not have. Its parts,
/// each in its own file beside its validator: <see cref="ConversationStoreOptions"/> (<c>Processor:Store</c>),
/// <see cref="RepliesOptions"/> (<c>Processor:Replies</c>), <see cref="ReconciliationOptions"/> (<c>Processor:Reconciliation</c>).
/// </summary>
public sealed class ProcessorOptions
{
    public const string Section = "Processor";

    public ConversationStoreOptions Store { get; set; } = new();

    public RepliesOptions Replies { get; set; } = new();

    public ReconciliationOptions Reconciliation { get; set; } = new();

    public PricingOptions Pricing { get; set; } = new();
}

/// <summary>Validates each part with its own validator; the messages name the full key (<c>Processor:Store:Kind</c>).</summary>
public sealed class ProcessorOptionsValidator : AbstractValidator<ProcessorOptions>
{
    public ProcessorOptionsValidator()
    {
        RuleFor(o => o.Store).SetValidator(new ConversationStoreOptionsValidator());
        RuleFor(o => o.Replies).SetValidator(new RepliesOptionsValidator());
        RuleFor(o => o.Reconciliation).SetValidator(new ReconciliationOptionsValidator());
        RuleFor(o => o.Pricing).SetValidator(new PricingOptionsValidator());
    }
}
