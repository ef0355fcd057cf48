using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Tunicorn.Generators;

/// <summary>Finds the declarations of settings and table keys and reads what the generated code needs from them.</summary>
internal static class DeclaredFieldReader
{
    private const string SettingType = "Tunicorn.Config.Setting<T>";
    private const string TableKeyType = "Tunicorn.Config.TableKey<T>";

    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>Cheap syntax test: a field whose declared type is spelled <c>Setting&lt;…&gt;</c> or <c>TableKey&lt;…&gt;</c>.</summary>
    public static bool IsCandidate(SyntaxNode node, CancellationToken _) =>
        node is VariableDeclaratorSyntax
        {
            Parent: VariableDeclarationSyntax { Type: GenericNameSyntax { Identifier.ValueText: "Setting" or "TableKey" }, Parent: FieldDeclarationSyntax },
        };

    public static DeclaredField? Read(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        var declarator = (VariableDeclaratorSyntax)context.Node;
        if (context.SemanticModel.GetDeclaredSymbol(declarator, cancellationToken) is not IFieldSymbol { IsStatic: true, IsReadOnly: true } field
            || field.Type is not INamedTypeSymbol { TypeArguments.Length: 1 } fieldType)
        {
            return null;
        }
        var definition = fieldType.OriginalDefinition.ToDisplayString();
        var kind = definition == SettingType ? DeclarationKind.Setting : definition == TableKeyType ? DeclarationKind.TableKey : (DeclarationKind?)null;
        if (kind is null)
        {
            return null;
        }

        var valueType = fieldType.TypeArguments[0];
        var creation = declarator.Initializer?.Value as BaseObjectCreationExpressionSyntax;
        var assigned = creation?.Initializer?.Expressions.OfType<AssignmentExpressionSyntax>()
            .Where(a => a.Left is IdentifierNameSyntax)
            .ToDictionary(a => ((IdentifierNameSyntax)a.Left).Identifier.ValueText, a => a.Right) ?? new();
        var sectionArgument = creation?.ArgumentList?.Arguments.Skip(1).FirstOrDefault()?.Expression;
        var section = sectionArgument is null ? null : context.SemanticModel.GetConstantValue(sectionArgument, cancellationToken);
        var stored = !assigned.TryGetValue("Stored", out var storedValue)
            || context.SemanticModel.GetConstantValue(storedValue, cancellationToken) is not { HasValue: true, Value: false };

        var fieldDeclaration = (FieldDeclarationSyntax)declarator.Parent!.Parent!;
        var location = declarator.GetLocation().GetLineSpan();
        return new DeclaredField(
            kind.Value,
            field.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            field.Name,
            valueType.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(TypeFormat),
            IsPublic(valueType),
            valueType.IsReferenceType,
            valueType is INamedTypeSymbol { TypeArguments.Length: 1 } list
                && list.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IReadOnlyList_T,
            assigned.TryGetValue("Default", out var defaultValue) && defaultValue.IsKind(SyntaxKind.NullLiteralExpression),
            stored,
            section is { HasValue: true, Value: int value } ? value : -1,
            location.Path,
            location.StartLinePosition.Line,
            DocComment(fieldDeclaration));
    }

    // A type the generated public property may expose: public itself, and so are its containers and type arguments.
    private static bool IsPublic(ITypeSymbol type) => type switch
    {
        IArrayTypeSymbol array => IsPublic(array.ElementType),
        INamedTypeSymbol named => named.DeclaredAccessibility == Accessibility.Public
            && (named.ContainingType is null || IsPublic(named.ContainingType))
            && named.TypeArguments.All(IsPublic),
        _ => true,
    };

    // The field's /// lines, carried over to the property generated for it (the summary users see in their editor).
    private static string DocComment(FieldDeclarationSyntax field) =>
        string.Join("\n", field.GetLeadingTrivia().ToFullString().Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.StartsWith("///", System.StringComparison.Ordinal)));
}
