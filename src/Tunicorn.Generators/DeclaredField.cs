namespace Tunicorn.Generators;

/// <summary>
/// One <c>static readonly Setting&lt;T&gt;</c> or <c>TableKey&lt;T&gt;</c> field, reduced to the text the generated code needs.
/// Only strings and numbers, so that the incremental pipeline can compare it and skip unchanged declarations.
/// </summary>
internal sealed record DeclaredField(
    DeclarationKind Kind,
    string ContainingType,
    string FieldName,
    string ValueType,
    bool ValueTypeIsPublic,
    bool IsReferenceType,
    bool IsList,
    bool DefaultIsNull,
    bool Stored,
    int Section,
    string FilePath,
    int Position,
    string DocComment);
