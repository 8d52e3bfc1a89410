package org.stargan.data;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Arc2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.GeneralPath;
import java.awt.geom.Line2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Procedurally drawn faces whose pixels are a pure function of (content seed, attributes): the content (face shape
 * and position, skin, eyes, nose, mouth, background, lighting) comes from the seed, the domain from the attributes.
 * Re-rendering the same content with other attributes gives the true translation of an image, which is what lets
 * the project measure translation quality against ground truth.
 *
 * <p>Attributes act the way the real ones do: hair colour recolours the hair region (none = bald), male shortens
 * the hair, widens the jaw, thickens the brows and adds stubble, old adds forehead and eye wrinkles and greys the
 * hair, smiling curves and opens the mouth, eyeglasses draws frames; the eight expressions move brows, eyes and mouth.
 */
public final class SyntheticFaces {
    /** The CelebA-like attributes, in the order they are written to the attribute file's selected columns. */
    public static final List<String> ATTRIBUTES =
            List.of("Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young", "Smiling", "Eyeglasses");
    /** The RaFD-like expressions, sorted by name as folder domains are. */
    public static final List<String> EXPRESSIONS =
            List.of("angry", "contemptuous", "disgusted", "fearful", "happy", "neutral", "sad", "surprised");

    /**
     * What a face shows.
     *
     * @param hair 0 black, 1 blond, 2 brown, −1 none (bald)
     * @param male male
     * @param young young
     * @param smiling smiling
     * @param eyeglasses eyeglasses
     * @param expression index into {@link #EXPRESSIONS}, or −1 for the CelebA-like set (neutral unless smiling)
     */
    public record Attributes(
            int hair, boolean male, boolean young, boolean smiling, boolean eyeglasses, int expression) {
        /** Validates the ranges. */
        public Attributes {
            if (hair < -1 || hair > 2) {
                throw new IllegalArgumentException(
                        "hair: " + hair + ", expected -1 (none), 0 black, 1 blond or 2 brown");
            }
            if (expression < -1 || expression >= EXPRESSIONS.size()) {
                throw new IllegalArgumentException(
                        "expression: " + expression + ", expected -1.." + (EXPRESSIONS.size() - 1));
            }
        }

        /** The attributes as a CelebA-style label vector over {@link #ATTRIBUTES} (1 or 0). */
        public float[] celebaLabels() {
            return new float[] {
                hair == 0 ? 1 : 0,
                hair == 1 ? 1 : 0,
                hair == 2 ? 1 : 0,
                male ? 1 : 0,
                young ? 1 : 0,
                smiling ? 1 : 0,
                eyeglasses ? 1 : 0
            };
        }

        /** These attributes with a CelebA-style label vector applied (values ≥ 0.5 count as on). */
        public Attributes withCelebaLabels(float[] labels) {
            int h = labels[0] >= 0.5f ? 0 : labels[1] >= 0.5f ? 1 : labels[2] >= 0.5f ? 2 : -1;
            return new Attributes(
                    h, labels[3] >= 0.5f, labels[4] >= 0.5f, labels[5] >= 0.5f, labels[6] >= 0.5f, expression);
        }

        /** These attributes with another expression. */
        public Attributes withExpression(int e) {
            return new Attributes(hair, male, young, smiling, eyeglasses, e);
        }

        /** Attributes drawn with CelebA-like frequencies. */
        public static Attributes random(SplittableRandom r) {
            double u = r.nextDouble();
            int hair = u < 0.3 ? 0 : u < 0.5 ? 1 : u < 0.75 ? 2 : -1;
            return new Attributes(
                    hair, r.nextDouble() < 0.45, r.nextDouble() < 0.7, r.nextDouble() < 0.5, r.nextDouble() < 0.15, -1);
        }
    }

    private static final Color[] HAIR = {new Color(25, 20, 18), new Color(232, 200, 110), new Color(110, 68, 35)};
    private static final Color[] SKIN = {
        new Color(255, 224, 196),
        new Color(241, 194, 160),
        new Color(224, 172, 128),
        new Color(198, 134, 90),
        new Color(141, 85, 54),
        new Color(96, 60, 40)
    };
    private static final Color[] IRIS = {
        new Color(70, 45, 25), new Color(50, 90, 140), new Color(60, 110, 70), new Color(30, 25, 20)
    };

    private SyntheticFaces() {}

    /** Draws the face of {@code contentSeed} with {@code attributes} at {@code size}×{@code size} pixels. */
    public static BufferedImage render(long contentSeed, Attributes a, int size) {
        SplittableRandom r = new SplittableRandom(contentSeed);
        // Content: every draw below happens in the same order whatever the attributes, so content never shifts.
        double cx = 0.5 + (r.nextDouble() - 0.5) * 0.08;
        double cy = 0.54 + (r.nextDouble() - 0.5) * 0.06;
        double faceW = 0.46 + r.nextDouble() * 0.08;
        double faceH = 0.58 + r.nextDouble() * 0.08;
        Color skin = blend(SKIN[r.nextInt(SKIN.length)], SKIN[r.nextInt(SKIN.length)], r.nextDouble());
        Color bgTop = hsb(r.nextDouble(), 0.25 + 0.3 * r.nextDouble(), 0.55 + 0.4 * r.nextDouble());
        Color bgBottom = hsb(r.nextDouble(), 0.25 + 0.3 * r.nextDouble(), 0.35 + 0.4 * r.nextDouble());
        double eyeSpread = 0.19 + r.nextDouble() * 0.04;
        double eyeY = cy - 0.06 + (r.nextDouble() - 0.5) * 0.03;
        double eyeSize = 0.065 + r.nextDouble() * 0.02;
        Color iris = IRIS[r.nextInt(IRIS.length)];
        double noseLen = 0.09 + r.nextDouble() * 0.05;
        double mouthW = 0.15 + r.nextDouble() * 0.07;
        double mouthY = cy + 0.17 + (r.nextDouble() - 0.5) * 0.03;
        double light = r.nextDouble() * 2 * Math.PI;
        double lightStrength = 0.1 + 0.15 * r.nextDouble();
        double hairVolume = 0.04 + r.nextDouble() * 0.05;
        double hairShade = 0.85 + r.nextDouble() * 0.3;

        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.scale(size, size);
        g.setPaint(new GradientPaint(0, 0, bgTop, 0, 1, bgBottom));
        g.fill(new java.awt.geom.Rectangle2D.Double(0, 0, 1, 1));

        double jaw = a.male() ? 1.08 : 0.96;
        double fx = cx - faceW / 2;
        double fy = cy - faceH / 2;
        Color hairColour = a.hair() < 0 ? null : scale(HAIR[a.hair()], hairShade);
        if (hairColour != null && !a.young()) {
            hairColour = blend(hairColour, new Color(170, 170, 170), 0.45);
        }
        // Hair behind the head: long for women, none for men.
        if (hairColour != null && !a.male()) {
            g.setColor(scale(hairColour, 0.8));
            g.fill(new RoundRectangle2D.Double(
                    fx - hairVolume, fy - hairVolume, faceW + 2 * hairVolume, faceH * 1.05 + hairVolume, 0.3, 0.3));
        }
        // Neck and shoulders.
        g.setColor(scale(skin, 0.85));
        g.fill(new java.awt.geom.Rectangle2D.Double(cx - faceW * 0.22, cy + faceH * 0.35, faceW * 0.44, 0.3));
        g.setColor(scale(bgBottom, 0.6));
        g.fill(new Ellipse2D.Double(cx - 0.42, cy + faceH * 0.5, 0.84, 0.5));
        // Face with the jaw shape.
        GeneralPath face = new GeneralPath();
        face.moveTo(fx, cy - faceH * 0.1);
        face.curveTo(fx, fy - faceH * 0.05, fx + faceW, fy - faceH * 0.05, fx + faceW, cy - faceH * 0.1);
        face.curveTo(fx + faceW * jaw, cy + faceH * 0.3, cx + faceW * 0.25 * jaw, fy + faceH, cx, fy + faceH);
        face.curveTo(
                cx - faceW * 0.25 * jaw, fy + faceH, fx - faceW * (jaw - 1), cy + faceH * 0.3, fx, cy - faceH * 0.1);
        face.closePath();
        g.setColor(skin);
        g.fill(face);
        // Lighting: a soft gradient across the face from the light's side.
        double lx = Math.cos(light) * faceW / 2;
        double ly = Math.sin(light) * faceH / 2;
        g.setPaint(new GradientPaint(
                (float) (cx + lx),
                (float) (cy + ly),
                new Color(255, 255, 255, (int) (255 * lightStrength)),
                (float) (cx - lx),
                (float) (cy - ly),
                new Color(0, 0, 0, (int) (255 * lightStrength))));
        g.fill(face);
        // Stubble on the jaw for men.
        if (a.male()) {
            GeneralPath beard = new GeneralPath();
            beard.moveTo(fx + faceW * 0.08, cy + faceH * 0.12);
            beard.curveTo(
                    fx + faceW * 0.2,
                    fy + faceH * 1.02,
                    fx + faceW * 0.8,
                    fy + faceH * 1.02,
                    fx + faceW * 0.92,
                    cy + faceH * 0.12);
            beard.curveTo(
                    fx + faceW * 0.7,
                    cy + faceH * 0.3,
                    fx + faceW * 0.3,
                    cy + faceH * 0.3,
                    fx + faceW * 0.08,
                    cy + faceH * 0.12);
            g.setColor(new Color(40, 30, 25, a.young() ? 90 : 70));
            g.fill(beard);
        }
        // Hair on top: a cap whose fringe is lower for women.
        if (hairColour != null) {
            double fringe = a.male() ? 0.16 : 0.24;
            GeneralPath cap = new GeneralPath();
            cap.moveTo(fx - hairVolume * 0.5, cy - faceH * 0.05);
            cap.curveTo(
                    fx - hairVolume,
                    fy - hairVolume * 2,
                    fx + faceW + hairVolume,
                    fy - hairVolume * 2,
                    fx + faceW + hairVolume * 0.5,
                    cy - faceH * 0.05);
            cap.curveTo(
                    fx + faceW * 0.8,
                    fy + faceH * fringe,
                    fx + faceW * 0.2,
                    fy + faceH * fringe,
                    fx - hairVolume * 0.5,
                    cy - faceH * 0.05);
            cap.closePath();
            g.setColor(hairColour);
            g.fill(cap);
        }
        Expression e = Expression.of(a);
        // Brows.
        g.setColor(hairColour != null ? scale(hairColour, 0.7) : new Color(60, 45, 35));
        g.setStroke(new BasicStroke(
                (float) ((a.male() ? 0.022 : 0.014) * (1 + 0 * e.browRaise)),
                BasicStroke.CAP_ROUND,
                BasicStroke.JOIN_ROUND));
        for (int side = -1; side <= 1; side += 2) {
            double ex = cx + side * eyeSpread / 2 * 1.0;
            double by = eyeY - eyeSize * 1.1 - e.browRaise * 0.03;
            double inner = by + e.browTilt * 0.025;
            g.draw(new Line2D.Double(
                    ex - side * eyeSize * 0.9, inner, ex + side * eyeSize * 0.9, by - e.browTilt * 0.005));
        }
        // Eyes.
        for (int side = -1; side <= 1; side += 2) {
            double ex = cx + side * eyeSpread / 2;
            double open = eyeSize * 0.55 * e.eyeOpen;
            g.setColor(Color.WHITE);
            g.fill(new Ellipse2D.Double(ex - eyeSize * 0.8, eyeY - open, eyeSize * 1.6, open * 2));
            g.setColor(iris);
            double ir = Math.min(eyeSize * 0.45, open);
            g.fill(new Ellipse2D.Double(ex - ir, eyeY - ir, ir * 2, ir * 2));
            g.setColor(Color.BLACK);
            g.fill(new Ellipse2D.Double(ex - ir * 0.45, eyeY - ir * 0.45, ir * 0.9, ir * 0.9));
        }
        // Nose, wrinkled for disgust.
        g.setColor(scale(skin, 0.7));
        g.setStroke(new BasicStroke(0.012f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.draw(new Line2D.Double(cx, eyeY + 0.02, cx - 0.01, eyeY + noseLen));
        g.draw(new Arc2D.Double(cx - 0.035, eyeY + noseLen - 0.02, 0.07, 0.04, 200, 140, Arc2D.OPEN));
        if (e.noseWrinkle) {
            g.draw(new Line2D.Double(cx - 0.03, eyeY + 0.04, cx - 0.01, eyeY + 0.05));
            g.draw(new Line2D.Double(cx + 0.03, eyeY + 0.04, cx + 0.01, eyeY + 0.05));
        }
        // Mouth: curvature (smile > 0), opening, asymmetry (contempt).
        drawMouth(g, cx, mouthY, mouthW * e.mouthWidth, e, skin);
        // Ageing: forehead lines, crow's feet, nasolabial folds.
        if (!a.young()) {
            g.setColor(scale(skin, 0.72));
            g.setStroke(new BasicStroke(0.008f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            for (int i = 0; i < 3; i++) {
                double y = fy + faceH * (0.2 + 0.045 * i) + (hairColour != null ? 0.05 : 0);
                g.draw(new Arc2D.Double(cx - faceW * 0.25, y, faceW * 0.5, 0.03, 20, 140, Arc2D.OPEN));
            }
            for (int side = -1; side <= 1; side += 2) {
                double ex = cx + side * (eyeSpread / 2 + eyeSize * 1.05);
                for (int i = -1; i <= 1; i++) {
                    g.draw(new Line2D.Double(ex, eyeY + i * 0.012, ex + side * 0.03, eyeY + i * 0.022));
                }
                g.draw(new Line2D.Double(
                        cx + side * 0.05, eyeY + noseLen, cx + side * (mouthW / 2 + 0.02), mouthY + 0.01));
            }
        }
        // Eyeglasses.
        if (a.eyeglasses()) {
            g.setColor(new Color(20, 20, 25));
            g.setStroke(new BasicStroke(0.014f));
            for (int side = -1; side <= 1; side += 2) {
                double ex = cx + side * eyeSpread / 2;
                g.draw(new RoundRectangle2D.Double(
                        ex - eyeSize * 1.3, eyeY - eyeSize * 0.95, eyeSize * 2.6, eyeSize * 1.9, 0.04, 0.04));
            }
            g.draw(new Line2D.Double(
                    cx - eyeSpread / 2 + eyeSize * 1.3, eyeY, cx + eyeSpread / 2 - eyeSize * 1.3, eyeY));
        }
        g.dispose();
        return img;
    }

    /** How an expression (or the CelebA smile) moves the face. */
    private record Expression(
            double browRaise,
            double browTilt,
            double eyeOpen,
            double mouthCurve,
            double mouthOpen,
            double mouthWidth,
            double asymmetry,
            boolean noseWrinkle) {
        static Expression of(Attributes a) {
            String name = a.expression() >= 0 ? EXPRESSIONS.get(a.expression()) : a.smiling() ? "happy" : "neutral";
            return switch (name) {
                case "angry" -> new Expression(-0.6, 1.0, 0.8, -0.2, 0.0, 0.9, 0, false);
                case "contemptuous" -> new Expression(0.1, 0, 0.85, 0.1, 0.0, 0.9, 1.0, false);
                case "disgusted" -> new Expression(-0.3, 0.6, 0.6, -0.6, 0.25, 0.9, 0.2, true);
                case "fearful" -> new Expression(0.9, -0.7, 1.4, -0.2, 0.45, 0.85, 0, false);
                case "happy" -> new Expression(0.15, 0, 0.85, 1.0, 0.5, 1.15, 0, false);
                case "sad" -> new Expression(0.4, -1.0, 0.8, -0.8, 0.0, 0.9, 0, false);
                case "surprised" -> new Expression(1.2, 0, 1.5, 0.0, 1.0, 0.6, 0, false);
                default -> new Expression(0, 0, 1.0, 0.0, 0.0, 1.0, 0, false);
            };
        }
    }

    private static void drawMouth(Graphics2D g, double cx, double y, double w, Expression e, Color skin) {
        double curve = e.mouthCurve * 0.045;
        double left = y - curve + e.asymmetry * 0.0;
        double right = y - curve - e.asymmetry * 0.03;
        GeneralPath upper = new GeneralPath();
        upper.moveTo(cx - w / 2, left);
        upper.quadTo(cx, y + curve * 0.3 - e.mouthOpen * 0.015, cx + w / 2, right);
        GeneralPath lower = new GeneralPath();
        lower.moveTo(cx - w / 2, left);
        lower.quadTo(cx, y + curve + e.mouthOpen * 0.07, cx + w / 2, right);
        if (e.mouthOpen > 0.05) {
            GeneralPath open = new GeneralPath(upper);
            open.quadTo(cx, y + curve + e.mouthOpen * 0.07, cx - w / 2, left);
            open.closePath();
            g.setColor(new Color(90, 25, 30));
            g.fill(open);
            if (e.mouthCurve > 0.5) {
                g.setColor(new Color(245, 245, 240));
                g.fill(new java.awt.geom.Rectangle2D.Double(
                        cx - w * 0.35, y + curve * 0.2 - e.mouthOpen * 0.01, w * 0.7, e.mouthOpen * 0.025));
            }
        }
        g.setColor(new Color(150, 60, 60));
        g.setStroke(new BasicStroke(0.014f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.draw(upper);
        if (e.mouthOpen > 0.05) {
            g.draw(lower);
        }
    }

    private static Color blend(Color a, Color b, double t) {
        return new Color(
                (int) (a.getRed() * (1 - t) + b.getRed() * t), (int) (a.getGreen() * (1 - t) + b.getGreen() * t), (int)
                        (a.getBlue() * (1 - t) + b.getBlue() * t));
    }

    private static Color scale(Color c, double f) {
        return new Color(clamp(c.getRed() * f), clamp(c.getGreen() * f), clamp(c.getBlue() * f));
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    private static Color hsb(double h, double s, double b) {
        return Color.getHSBColor((float) h, (float) s, (float) b);
    }
}
