using System.Text.Json;

namespace Tunicorn.Config;

/// <summary>A table key whose value is a <typeparamref name="T"/>, checked by its <see cref="TableValidator{T}"/>.</summary>
internal sealed class TableKey<T> : TableKey
{
    public TableKey(string name)
        : base(name)
    {
    }

    /// <summary>The value when the table does not give the key; null leaves it unset.</summary>
    public required T? Default { get; init; }

    public required TableValidator<T> Validator { get; init; }

    public override string TypeDescription => Validator.Type;

    public override string DefaultText => DefaultDescription ?? (Default is null ? "none" : $"`{Validator.Format(Default)}`");

    public override object? Parse(string writtenName, JsonElement value) => Validator.Parse(writtenName, value);
}
